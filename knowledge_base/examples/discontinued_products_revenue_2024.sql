-- Question: Which discontinued products still sold the most in 2024?
-- Description: Products no longer active in the catalogue (products.active = 0), ranked by their 2024 revenue.
SELECT p.name,
       p.category,
       ROUND(SUM(oi.quantity * oi.unit_price * (1 - oi.discount)), 2) AS revenue
FROM products AS p
JOIN order_items AS oi ON oi.product_id = p.product_id
JOIN orders AS o ON o.order_id = oi.order_id
WHERE p.active = 0
  AND o.status NOT IN ('cancelled', 'returned')
  AND o.order_date >= '2024-01-01' AND o.order_date < '2025-01-01'
GROUP BY p.product_id, p.name, p.category
ORDER BY revenue DESC;
